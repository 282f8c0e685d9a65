; Document symbols (textDocument/documentSymbol) for Ruby.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange); several = source text first..last
;   @detail          parameters or superclass
;   @local.scope     a method body: symbols marked (#is-not? local) inside it are dropped
;   (#strip! @name "^:")  removed from the name (a symbol's colon)
;   (#set! unique)   a binding: one symbol per name and kind in a scope, the first
; A declaration captured by several patterns takes the first pattern in this file.
; Nesting comes from range containment.
;
; As ruby-lsp: modules, classes (`class << self` too), methods (`def
; self.x` named self.x), constants, attr_reader/writer/accessor as
; properties. Local variables are not listed.

(method body: (_) @local.scope)
(singleton_method body: (_) @local.scope)
(lambda body: (_) @local.scope)
(block body: (_) @local.scope)
(do_block body: (_) @local.scope)

(module
  name: (_) @name) @symbol.module

(class
  name: (_) @name
  superclass: (superclass (_) @detail)?) @symbol.class

(singleton_class
  "class" @name
  value: (_) @name) @symbol.class

(method
  name: (_) @name
  parameters: (method_parameters)? @detail) @symbol.method

(singleton_method
  object: (_) @name
  name: (_) @name
  parameters: (method_parameters)? @detail) @symbol.method

((call
  method: (identifier) @_attr
  arguments: (argument_list (simple_symbol) @name @symbol.property))
  (#any-of? @_attr "attr_reader" "attr_writer" "attr_accessor")
  (#strip! @name "^:"))

((assignment
  left: (constant) @name) @symbol.constant
  (#is-not? local)
  (#set! unique))

((assignment
  left: (global_variable) @name) @symbol.variable
  (#is-not? local)
  (#set! unique))
