; Document symbols (textDocument/documentSymbol) for Go.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange)
;   @name.<part>     piece of a name template   (#set! name "({name.recv}).{name}")
;   @detail          signature or type; several = source text first..last
;   @local.scope     a function body: symbols marked (#is-not? local) inside it are dropped
; A declaration captured by several patterns takes the first pattern in this
; file. Nesting comes from range containment; equal ranges are siblings.
;
; As gopls: methods are top level, named "(*T).Method"; struct -> struct,
; interface -> interface, other named types and aliases -> class; struct
; fields -> field; interface methods -> method; const -> constant; var ->
; variable (package level only: locals are not listed).

(function_declaration body: (block) @local.scope)
(method_declaration body: (block) @local.scope)
(func_literal body: (block) @local.scope)

; ---------------------------------------------------------------- functions and methods
(function_declaration
  name: (identifier) @name
  type_parameters: (type_parameter_list)? @detail
  parameters: (parameter_list) @detail
  result: (_)? @detail) @symbol.function

(method_declaration
  receiver: (parameter_list (parameter_declaration type: (_) @name.recv))
  name: (field_identifier) @name
  parameters: (parameter_list) @detail
  result: (_)? @detail
  (#set! name "({name.recv}).{name}")) @symbol.method

; ---------------------------------------------------------------- types
; A declaration with a single spec: the range starts at `type`.
(type_declaration
  .
  (type_spec
    name: (type_identifier) @name
    type_parameters: (type_parameter_list)? @detail
    type: (struct_type))
  .) @symbol.struct

(type_declaration
  .
  (type_spec
    name: (type_identifier) @name
    type_parameters: (type_parameter_list)? @detail
    type: (interface_type))
  .) @symbol.interface

(type_declaration
  .
  [
    (type_spec name: (type_identifier) @name type: (_) @detail)
    (type_alias name: (type_identifier) @name type: (_) @detail)
  ]
  .) @symbol.class

(type_spec
  name: (type_identifier) @name
  type_parameters: (type_parameter_list)? @detail
  type: (struct_type)) @symbol.struct

(type_spec
  name: (type_identifier) @name
  type_parameters: (type_parameter_list)? @detail
  type: (interface_type)) @symbol.interface

(type_spec
  name: (type_identifier) @name
  type: (_) @detail) @symbol.class

(type_alias
  name: (type_identifier) @name
  type: (_) @detail) @symbol.class

(field_declaration_list
  (field_declaration
    name: (field_identifier) @name
    type: (_) @detail) @symbol.field)

; Embedded field: named after its type.
(field_declaration_list
  (field_declaration
    !name
    type: [
      (type_identifier) @name
      (pointer_type (type_identifier) @name)
      (qualified_type name: (type_identifier) @name)
      (generic_type type: (type_identifier) @name)
      (pointer_type (generic_type type: (type_identifier) @name))
    ]) @symbol.field)

(interface_type
  (method_elem
    name: (field_identifier) @name
    parameters: (parameter_list) @detail
    result: (_)? @detail) @symbol.method)

; ---------------------------------------------------------------- constants and variables
((const_declaration
  .
  (const_spec name: (identifier) @name type: (_)? @detail)
  .) @symbol.constant
  (#is-not? local))

((const_spec
  name: (identifier) @name
  type: (_)? @detail) @symbol.constant
  (#is-not? local))

((var_declaration
  .
  (var_spec name: (identifier) @name type: (_)? @detail)
  .) @symbol.variable
  (#is-not? local))

((var_spec
  name: (identifier) @name
  type: (_)? @detail) @symbol.variable
  (#is-not? local))
