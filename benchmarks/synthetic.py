"""What the synthetic police.uk files of the benchmarks draw from (B2's force files and B3's national year).

Crime types with the shares they take of a force's street rows, last outcomes, and the places that
police.uk's anonymised locations are named after ("On or near ...").
"""

CRIME_TYPES = {
    "Anti-social behaviour": 0.180, "Bicycle theft": 0.007, "Burglary": 0.045,
    "Criminal damage and arson": 0.060, "Drugs": 0.015, "Other crime": 0.020, "Other theft": 0.050,
    "Possession of weapons": 0.008, "Public order": 0.085, "Robbery": 0.015, "Shoplifting": 0.060,
    "Theft from the person": 0.010, "Vehicle crime": 0.070, "Violence and sexual offences": 0.375,
}  # fmt: skip
OUTCOMES = (
    "Investigation complete; no suspect identified", "Unable to prosecute suspect",
    "Under investigation", "Status update unavailable", "Offender given a caution",
    "Local resolution", "Awaiting court outcome", "Court result unavailable",
    "Further investigation is not in the public interest", "Action to be taken by another organisation",
)  # fmt: skip
PLACES = (
    "High Street", "Station Road", "Church Lane", "Park Road", "Mill Lane", "Queen's Road",
    "Shopping Area", "Parking Area", "Supermarket", "Petrol Station", "Nightclub", "Hospital",
    "Sports/Recreation Area", "Bus/Coach Station", "Further/Higher Educational Building",
    "Theatre/Concert Hall", "Pedestrian Subway", "Conference/Exhibition Centre",
)  # fmt: skip
