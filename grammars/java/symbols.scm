; Document symbols (textDocument/documentSymbol) for Java.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange)
;   @name.<part>     piece of a name template (#set! name "new {name.type}() {...}")
;   @detail.<part>   pieces of the detail template (#set! detail "{detail.params}: {detail.type}")
;   @detail          a type or parameter list
;   @local.scope     a method body: symbols marked (#is-not? local) inside it are dropped
; A declaration captured by several patterns takes the first pattern in this
; file. Nesting comes from range containment; equal ranges are siblings
; (`int a, b;` is two fields over one declaration).
;
; As Eclipse JDT LS: classes, records (class), interfaces and annotation
; types (interface), enums and their constants, methods, constructors,
; fields (interface constants -> constant), anonymous classes. Local
; variables are not listed.

; ---------------------------------------------------------------- types
(class_declaration
  name: (identifier) @name
  type_parameters: (type_parameters)? @detail) @symbol.class

(record_declaration
  name: (identifier) @name
  parameters: (formal_parameters) @detail) @symbol.class

(interface_declaration
  name: (identifier) @name
  type_parameters: (type_parameters)? @detail) @symbol.interface

(annotation_type_declaration
  name: (identifier) @name) @symbol.interface

(enum_declaration
  name: (identifier) @name) @symbol.enum

(enum_constant
  name: (identifier) @name
  arguments: (argument_list)? @detail) @symbol.enum_member

(object_creation_expression
  type: (_) @name.type
  (class_body)
  (#set! name "new {name.type}() {...}")) @symbol.class

; ---------------------------------------------------------------- members
(method_declaration
  type: (_) @detail.type
  name: (identifier) @name
  parameters: (formal_parameters) @detail.params
  (#set! detail "{detail.params}: {detail.type}")) @symbol.method

(constructor_declaration
  name: (identifier) @name
  parameters: (formal_parameters) @detail) @symbol.constructor

(compact_constructor_declaration
  name: (identifier) @name) @symbol.constructor

(annotation_type_element_declaration
  type: (_) @detail
  name: (identifier) @name) @symbol.method

(field_declaration
  type: (_) @detail
  declarator: (variable_declarator name: (identifier) @name)) @symbol.field

(constant_declaration
  type: (_) @detail
  declarator: (variable_declarator name: (identifier) @name)) @symbol.constant

(record_declaration
  parameters: (formal_parameters
    (formal_parameter
      type: (_) @detail
      name: (identifier) @name) @symbol.field))
