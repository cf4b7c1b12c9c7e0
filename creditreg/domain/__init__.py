"""Pure domain rules: no database, web, files, network or clock reads."""
