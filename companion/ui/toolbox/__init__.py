"""The network's shared toolbox: catalogue, reader, printing."""
