; Document symbols (textDocument/documentSymbol) for Python.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange)
;   @detail          signature or type; several = source text first..last
;   @local.scope     a function body: symbols marked (#is-not? local) inside it are dropped
;   (#set! hoist "class")  parent = nearest enclosing class (self.x in a method)
;   (#set! unique)   a binding: dropped when an earlier symbol in the same scope has its name
; A declaration captured by several patterns takes the first pattern in this file.
; Nesting comes from range containment.
;
; As pyright: classes, functions, methods, and the names bound at module and
; class level (assignments, for/with/except targets, walrus), plus instance
; and class attributes assigned through `self.`/`cls.` in methods; one
; symbol per name and scope (the first binding; a property's setter or a
; conditional redefinition does not repeat it). Imports, parameters and
; function locals are not listed. ALL_CAPS names are constants.

(function_definition body: (block) @local.scope)
(lambda body: (_) @local.scope)

; ---------------------------------------------------------------- classes and functions
; Decorated definitions first: their range includes the decorators.
((decorated_definition
  definition: (class_definition
    name: (identifier) @name
    superclasses: (argument_list)? @detail)) @symbol.class
  (#set! unique))

((class_definition
  name: (identifier) @name
  superclasses: (argument_list)? @detail) @symbol.class
  (#set! unique))

((class_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name
        parameters: (parameters) @detail
        return_type: (type)? @detail)) @symbol.method))
  (#set! unique))

((class_definition
  body: (block
    (function_definition
      name: (identifier) @name
      parameters: (parameters) @detail
      return_type: (type)? @detail) @symbol.method))
  (#set! unique))

((decorated_definition
  definition: (function_definition
    name: (identifier) @name
    parameters: (parameters) @detail
    return_type: (type)? @detail)) @symbol.function
  (#set! unique))

((function_definition
  name: (identifier) @name
  parameters: (parameters) @detail
  return_type: (type)? @detail) @symbol.function
  (#set! unique))

; type Alias = int  (3.12)
((type_alias_statement
  left: (type (identifier) @name)
  right: (type) @detail) @symbol.class
  (#set! unique))

; ---------------------------------------------------------------- attributes through self./cls.
; Anywhere in a method (also under if/for/with): an attribute of the class.
((assignment
  left: (attribute
    object: (identifier) @_self
    attribute: (identifier) @name) @symbol.field
  type: (type)? @detail)
  (#any-of? @_self "self" "cls")
  (#set! hoist "class")
  (#set! unique))

((augmented_assignment
  left: (attribute
    object: (identifier) @_self
    attribute: (identifier) @name) @symbol.field)
  (#any-of? @_self "self" "cls")
  (#set! hoist "class")
  (#set! unique))

((assignment
  left: [(pattern_list (attribute object: (identifier) @_self attribute: (identifier) @name) @symbol.field)
         (tuple_pattern (attribute object: (identifier) @_self attribute: (identifier) @name) @symbol.field)])
  (#any-of? @_self "self" "cls")
  (#set! hoist "class")
  (#set! unique))

; ---------------------------------------------------------------- module and class level bindings
; x = y = 1: every target of a chain is a symbol of its name alone, so y does not nest in x.
((assignment
  left: (identifier) @name @symbol.constant
  right: (assignment))
  (#match? @name "^_*[A-Z][A-Z0-9_]*$")
  (#is-not? local)
  (#set! unique))

((assignment
  left: (identifier) @name @symbol.variable
  right: (assignment))
  (#is-not? local)
  (#set! unique))

((class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name
        type: (type)? @detail) @symbol.field)))
  (#set! unique))

((assignment
  left: (identifier) @name
  type: (type)? @detail) @symbol.constant
  (#match? @name "^_*[A-Z][A-Z0-9_]*$")
  (#is-not? local)
  (#set! unique))

((assignment
  left: (identifier) @name
  type: (type)? @detail) @symbol.variable
  (#is-not? local)
  (#set! unique))

; a, b = ...; [a, b] = ...; for a, b in ...
((assignment
  left: [
    (pattern_list [(identifier) @name (list_splat_pattern (identifier) @name)] @symbol.variable)
    (tuple_pattern [(identifier) @name (list_splat_pattern (identifier) @name)] @symbol.variable)
    (list_pattern [(identifier) @name (list_splat_pattern (identifier) @name)] @symbol.variable)
  ])
  (#is-not? local)
  (#set! unique))

((for_statement
  left: [
    (identifier) @name @symbol.variable
    (pattern_list (identifier) @name @symbol.variable)
    (tuple_pattern (identifier) @name @symbol.variable)
  ])
  (#is-not? local)
  (#set! unique))

((with_item
  value: (as_pattern
    alias: (as_pattern_target (identifier) @name @symbol.variable)))
  (#is-not? local)
  (#set! unique))

((except_clause
  (as_pattern
    alias: (as_pattern_target (identifier) @name @symbol.variable)))
  (#is-not? local)
  (#set! unique))

((named_expression
  name: (identifier) @name @symbol.variable)
  (#is-not? local)
  (#set! unique))
