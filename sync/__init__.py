"""Central server and the kiosk-server sync link."""
