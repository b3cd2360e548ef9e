"""The TDCE CrossGuard policy pack: port rules from the channel matrix, and safety rules."""
