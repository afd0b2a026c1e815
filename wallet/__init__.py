"""IMK Wallet: the verifiable-credentials wallet service of Latvia's IMK programme."""
