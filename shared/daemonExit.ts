// How `flowtune daemon` tells whoever started it that it cannot run on this Node, and the fix.

/** Exit code of `flowtune daemon` when no SQLite native module loads on its Node (EX_CONFIG). */
export const NATIVE_MODULE_EXIT_CODE = 78;

/** The command that installs the daemon for the user's own Node and platform (npm compiles SQLite for it). */
export const INSTALL_COMMAND = 'npm install -g flowtune';

/** The first Node major whose daemon uses the Node-API SQLite driver (better-sqlite3 13, installed as better-sqlite3-napi). */
export const NAPI_DRIVER_MIN_NODE_MAJOR = 22;
