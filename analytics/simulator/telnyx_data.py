"""Static material for the simulated Telnyx account: enterprise line-up, names, categories.

The enterprise line-up is ordered by how much it teaches a collector; asking for fewer
enterprises keeps a prefix of it, asking for more adds approved enterprises with the
remaining ``check_frequency`` values.
"""

from __future__ import annotations

# (scenario key, status, loa_status, check_frequency, settings enabled?)
ENTERPRISE_PLAN: tuple[tuple[str, str, str, str, bool], ...] = (
    ("approved_business_daily", "approved", "approved", "business_daily", True),
    ("approved_weekly", "approved", "approved", "weekly", True),
    ("pending_loa", "approved", "pending", "business_daily", True),
    ("disabled", "", "", "", False),
    ("rejected", "rejected", "approved", "business_daily", True),
)
EXTRA_FREQUENCIES = ("daily", "biweekly", "monthly", "never", "business_daily", "weekly")

REJECTION_REASONS = [
    "The business website could not be verified.",
    "The FEIN does not match the legal name on record.",
]

BUSINESSES = (
    ("Acme Plumbing LLC", "Acme Plumbing", "llc", "IL", "Chicago", "60601"),
    ("Northwind Dental Group Inc", "Northwind Dental", "corporation", "WA", "Seattle", "98101"),
    ("Bluebird Home Health LLC", "Bluebird Care", "llc", "TX", "Austin", "78701"),
    ("Granite State Roofing Co", "Granite Roofing", "corporation", "NH", "Concord", "03301"),
    ("Harbor Lights Realty LLC", "Harbor Lights", "llc", "FL", "Tampa", "33602"),
    ("Evergreen Auto Finance Inc", "Evergreen Auto", "corporation", "OR", "Portland", "97201"),
    ("Summit Insurance Partners LLP", "Summit Insurance", "partnership", "CO", "Denver", "80202"),
    ("Lakeside Veterinary Clinic PC", "Lakeside Vet", "corporation", "MN", "Duluth", "55802"),
)

INDUSTRIES = ("technology", "healthcare", "real_estate", "construction", "finance", "insurance")

# Opaque category labels; the last one is hostile markup (templates must escape it).
SPAM_CATEGORIES = (
    "Telemarketing",
    "Robocall",
    "Scam Likely",
    "Debt Collector",
    "Survey",
    "Political",
    "Nuisance Likely",
    "Spam Risk",
    '<script>alert("x")</script>',
)
MARKUP_CATEGORY = len(SPAM_CATEGORIES) - 1

NPAS = (
    "202",
    "212",
    "213",
    "305",
    "312",
    "404",
    "415",
    "469",
    "503",
    "512",
    "602",
    "617",
    "646",
    "702",
    "713",
    "720",
    "786",
    "813",
    "919",
    "949",
)

CALL_PURPOSES = (
    "Outbound appointment reminders for our dental clinic.",
    "Service follow-up calls to existing customers.",
    "Callbacks requested through our website contact form.",
    "Delivery scheduling for home-care visits.",
)

# malformed=True: (label, what the served record breaks)
MALFORMED_KINDS = (
    "score_150",
    "score_string",
    "spam_risk_severe",
    "phone_number_short",
    "reputation_data_list",
)
