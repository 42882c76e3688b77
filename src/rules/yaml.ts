// The YAML parser, in a module of its own so it loads only when a YAML rule file is read.
export { parse } from "yaml";
