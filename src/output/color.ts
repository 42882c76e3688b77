// chalk, in a module of its own so it loads only when a person is reading stderr. The level is
// authwrap's to decide (src/terminal.ts): chalk's own detection looks at stdout.
export { Chalk } from "chalk";
