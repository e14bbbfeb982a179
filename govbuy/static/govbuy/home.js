// The public home page's two little tools: the eligibility check (S1–S5) and the
// working-day calculator. Translated labels come from data attributes.
"use strict";

const messages = (body) => (body.errors || []).map((e) => e.message).join("; ");

const eligibility = document.getElementById("eligibility-form");
eligibility.addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = document.getElementById("elig-result");
  const response = await fetch("/api/v1/rules/eligibility", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({org_type: document.getElementById("elig-type").value}),
  });
  const body = await response.json();
  if (!response.ok) { out.textContent = messages(body); return; }
  const label = {purchaser: eligibility.dataset.asPurchaser, provider: eligibility.dataset.asProvider};
  out.replaceChildren(...["purchaser", "provider"].map((role) => {
    const p = document.createElement("p");
    p.className = "mb-1 small";
    p.textContent = label[role] + " " + (body[role].eligible
      ? "✓ " + eligibility.dataset.eligible
      : "✗ " + body[role].violations.map((v) => v.rule + " " + v.message).join(" "));
    return p;
  }));
});

document.getElementById("calendar-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target, out = document.getElementById("cal-result");
  const response = await fetch(form.action + "?" + new URLSearchParams(new FormData(form)));
  const body = await response.json();
  out.textContent = response.ok ? body.date : messages(body);
});
