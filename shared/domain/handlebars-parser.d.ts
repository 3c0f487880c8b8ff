/**
 * Handlebars' parser alone (the lexer, the grammar and its whitespace control),
 * without the code generator: what template-syntax.ts checks a template with.
 * The package ships no types for this file; the AST types are its own (`hbs.AST`).
 */
declare module 'handlebars/dist/cjs/handlebars/compiler/base.js' {
  export function parse(input: string, options?: object): hbs.AST.Program;
}
