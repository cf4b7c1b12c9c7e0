"""A complete official schedule for 2027 (every statutory holiday listed, CAL-2), as the
calendar's loaders require, with the New Year bridge the calendar tests count across."""

SCHEDULE_2027_LINES = [
    "2027-01-01,holiday,New Year's Day",
    "2027-01-04,holiday,New Year's Day (bridge)",
    "2027-01-09,workday,New Year's Day",
    *(f"2027-02-{d:02d},holiday,Spring Festival" for d in range(5, 12)),
    "2027-04-05,holiday,Tomb-Sweeping Day",
    *(f"2027-05-{d:02d},holiday,Labour Day" for d in range(1, 6)),
    "2027-06-09,holiday,Dragon Boat Festival",
    "2027-09-15,holiday,Mid-autumn Festival",
    *(f"2027-10-{d:02d},holiday,National Day" for d in range(1, 8)),
]
SCHEDULE_2027 = "\n".join(SCHEDULE_2027_LINES) + "\n"
