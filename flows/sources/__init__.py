"""Source clients: the live OpenRouter Data API and the synthetic demo dataset, behind one interface."""
