"""Poland's sixteen voivodeships: the regions a participant states in their profile and a contest's audience
may be limited to (stored as these lower-case names; shown as they are)."""

from __future__ import annotations

REGIONS: tuple[str, ...] = (
    "dolnośląskie", "kujawsko-pomorskie", "lubelskie", "lubuskie", "łódzkie", "małopolskie", "mazowieckie",
    "opolskie", "podkarpackie", "podlaskie", "pomorskie", "śląskie", "świętokrzyskie", "warmińsko-mazurskie",
    "wielkopolskie", "zachodniopomorskie",
)
