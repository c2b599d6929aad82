"""What every feature of the interface uses: background jobs, icons, form parts, tables."""
