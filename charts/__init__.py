"""Chart builders: pure functions from ``metrics`` domain objects to plotly figures."""
