"""Static material for the simulated Plivo account: business profiles and area codes."""

from __future__ import annotations

# key, company, EIN, website, vertical, entity_type, (street, city, state, zip), with created_at?
PROFILES: tuple[
    tuple[str, str, str, str | None, str, str, tuple[str, str, str, str], bool], ...
] = (
    (
        "main",
        "Acme Plumbing LLC",
        "12-3456789",
        "https://acmeplumbing.example.com",
        "PROFESSIONAL",
        "PRIVATE",
        ("100 Main St", "Chicago", "IL", "60601"),
        True,
    ),
    (
        "dental",
        "Northwind Dental Group Inc",
        "123456789",
        "https://northwinddental.example.com",
        "HEALTHCARE",
        "PRIVATE",
        ("110 Pike St", "Seattle", "WA", "98101"),
        False,
    ),
    (
        "odd_ein",
        "Lakeside Veterinary Clinic PC",
        "98-76543",
        "https://lakesidevet.example.com",
        "HEALTHCARE",
        "PRIVATE",
        ("7 Lake Ave", "Duluth", "MN", "55802"),
        True,
    ),
    (
        "no_website",
        "Bluebird Home Health LLC",
        "45-6789012",
        None,
        "HEALTHCARE",
        "PRIVATE",
        ("120 Congress Ave", "Austin", "TX", "78701"),
        True,
    ),
    (
        "released",
        "Harbor Lights Realty LLC",
        "330987654",
        "https://harborlights.example.com",
        "REAL_ESTATE",
        "PRIVATE",
        ("140 Bay St", "Tampa", "FL", "33602"),
        False,
    ),
    (
        "unused",
        "Summit Insurance Partners LLP",
        "84-2223334",
        "https://summitins.example.com",
        "INSURANCE",
        "PRIVATE",
        ("160 Blake St", "Denver", "CO", "80202"),
        True,
    ),
)

AREAS = {
    "202": ("WASHINGTON", "District of Columbia"),
    "212": ("NEW YORK", "New York"),
    "213": ("LOS ANGELES", "California"),
    "305": ("MIAMI", "Florida"),
    "312": ("CHICAGO", "Illinois"),
    "404": ("ATLANTA", "Georgia"),
    "415": ("SAN FRANCISCO", "California"),
    "469": ("DALLAS", "Texas"),
    "503": ("PORTLAND", "Oregon"),
    "512": ("AUSTIN", "Texas"),
    "602": ("PHOENIX", "Arizona"),
    "617": ("BOSTON", "Massachusetts"),
    "646": ("NEW YORK", "New York"),
    "702": ("LAS VEGAS", "Nevada"),
    "713": ("HOUSTON", "Texas"),
    "720": ("DENVER", "Colorado"),
    "786": ("MIAMI", "Florida"),
    "813": ("TAMPA", "Florida"),
    "919": ("RALEIGH", "North Carolina"),
    "949": ("IRVINE", "California"),
}
TOLLFREE = ("800", "833", "844", "855", "866", "877", "888")
ALIASES = (None, "Main line", "Front desk", "Billing", "Scheduling", "Support", "After hours")

REASONS = {
    "no_website": "The profile must have a website set for AT&T caller reputation. "
    "Update the profile to add a website, then re-enable the number.",
    "odd_ein": "EIN must contain exactly 9 digits",
}
