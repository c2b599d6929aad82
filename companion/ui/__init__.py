"""The Qt desktop interface. It imports the Qt-free core; the core never imports it."""
