"""Local mode: the whole platform on one machine, AWS emulated by a moto server on loopback."""
