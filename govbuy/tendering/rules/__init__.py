"""The rules of running a purchase: deadlines, notices, bids and the opening
(`running`), and scoring the bids (`scoring`). The rules of planning (P1–P9)
stay in `govbuy.procurement.rules`."""
