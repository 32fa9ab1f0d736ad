"""Pages of the ringing app; one module per screen."""
