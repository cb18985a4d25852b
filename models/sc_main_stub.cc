// libsystemc.so's main() calls sc_main; h4hsim starts SystemC from its own main with
// sc_start and never enters this, but the symbol must exist once per executable.
extern "C" int sc_main(int, char**) { return 0; }
