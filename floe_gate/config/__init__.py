"""The files a platform team and data teams write: manifest, policies, data products, waivers."""
