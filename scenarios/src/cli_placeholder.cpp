namespace hyseis::scenarios { int cli_unit_anchor() { return 0; } }
