"""The live operations dashboard (/ops/): every process's figures over the channel layer."""
