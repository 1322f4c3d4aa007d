"""LanQA: live audience Q&A over the local network."""
