// chalk, in a module of its own so it loads only when a person is reading stderr.
export { default as chalk } from 'chalk';
