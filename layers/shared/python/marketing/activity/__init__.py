"""Activity over time: counters per hour of a mailing and per day of the audience, kept as events
happen (no scans), for the console's charts."""
