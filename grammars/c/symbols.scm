; Document symbols (textDocument/documentSymbol) for C.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange)
;   @detail.<part>   pieces of the detail template (#set! detail "{detail.type} {detail.params}")
;   @detail          a type; several = source text first..last
;   @local.scope     a function body: symbols marked (#is-not? local) inside it are dropped
; A declaration captured by several patterns takes the first pattern in this
; file. Nesting comes from range containment; equal ranges are siblings
; (`int a, b;` is two symbols over one declaration).
;
; As clangd: functions (definitions and prototypes), structs and unions ->
; struct, enums and enumerators, typedefs -> class, fields, and variables at
; file scope (locals are not listed). Also #define: object-like macros ->
; constant, function-like macros -> function.

(function_definition body: (compound_statement) @local.scope)

; ---------------------------------------------------------------- functions
; The name sits under zero or one pointer declarator, f() and *f(), or in a
; function returning a function pointer, (*f(void))(int). (Rarer shapes, **f(),
; cost query compile time and are left out.)
(function_definition
  type: (_) @detail.type
  declarator: [
    (function_declarator declarator: (identifier) @name parameters: (parameter_list) @detail.params)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name parameters: (parameter_list) @detail.params))
    (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (function_declarator declarator: (identifier) @name parameters: (parameter_list) @detail.params))))
  ]
  (#set! detail "{detail.type} {detail.params}")) @symbol.function

; Prototypes.
((declaration
  type: (_) @detail.type
  declarator: [
    (function_declarator declarator: (identifier) @name parameters: (parameter_list) @detail.params)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name parameters: (parameter_list) @detail.params))
  ]) @symbol.function
  (#set! detail "{detail.type} {detail.params}")
  (#is-not? local))

(preproc_function_def
  name: (identifier) @name
  parameters: (preproc_params) @detail) @symbol.function

(preproc_def
  name: (identifier) @name
  value: (_)? @detail) @symbol.constant

; ---------------------------------------------------------------- types
; typedef struct { ... } name;  (an anonymous type takes the typedef's name)
(type_definition
  type: [(struct_specifier !name body: (_)) (union_specifier !name body: (_))]
  declarator: (type_identifier) @name) @symbol.struct

(type_definition
  type: (enum_specifier !name body: (_))
  declarator: (type_identifier) @name) @symbol.enum

; typedef ... name;  (the symbol is the name: a named struct beside it stays its sibling)
(type_definition
  type: [(struct_specifier body: (_)) (union_specifier body: (_)) (enum_specifier body: (_))]
  declarator: [
    (type_identifier) @name @symbol.class
    (pointer_declarator declarator: (type_identifier) @name @symbol.class)
  ])

(type_definition
  type: (_) @detail
  declarator: [
    (type_identifier) @name @symbol.class
    (pointer_declarator declarator: (type_identifier) @name @symbol.class)
    (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (type_identifier) @name @symbol.class)))
  ])

(struct_specifier
  name: (type_identifier) @name
  body: (field_declaration_list)) @symbol.struct

(union_specifier
  name: (type_identifier) @name
  body: (field_declaration_list)) @symbol.struct

(enum_specifier
  name: (type_identifier) @name
  body: (enumerator_list)) @symbol.enum

(enumerator
  name: (identifier) @name
  value: (_)? @detail) @symbol.enum_member

(field_declaration_list
  (field_declaration
    type: (_) @detail
    declarator: [
      (field_identifier) @name
      (pointer_declarator declarator: (field_identifier) @name)
      (array_declarator declarator: (field_identifier) @name)
      (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (field_identifier) @name)))
    ]) @symbol.field)

; ---------------------------------------------------------------- variables at file scope
((declaration
  type: (_) @detail
  declarator: [
    (identifier) @name
    (pointer_declarator declarator: (identifier) @name)
    (array_declarator declarator: (identifier) @name)
    (init_declarator declarator: (identifier) @name)
    (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
  ]) @symbol.variable
  (#is-not? local))
