; Document symbols (textDocument/documentSymbol) for C++.
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
; As clangd: namespaces, classes, structs and unions (struct), enums and
; enumerators, type aliases (class), functions, methods (declared or defined
; in a class, and out-of-line `A::f` definitions), constructors and
; destructors, fields, and variables at namespace scope (locals are not
; listed). Also #define: object-like macros -> constant, function-like -> function.

(function_definition body: (compound_statement) @local.scope)
(lambda_expression body: (compound_statement) @local.scope)

; ---------------------------------------------------------------- namespaces and types
(namespace_definition
  name: (_) @name) @symbol.namespace

((namespace_definition
  !name
  body: (declaration_list) @_body) @symbol.namespace
  (#set! name "(anonymous namespace)"))

(class_specifier
  name: (_) @name
  (base_class_clause)? @detail
  body: (field_declaration_list)) @symbol.class

(struct_specifier
  name: (_) @name
  (base_class_clause)? @detail
  body: (field_declaration_list)) @symbol.struct

(union_specifier
  name: (_) @name
  body: (field_declaration_list)) @symbol.struct

(enum_specifier
  name: (_) @name
  body: (enumerator_list)) @symbol.enum

(enumerator
  name: (identifier) @name
  value: (_)? @detail) @symbol.enum_member

(type_definition
  type: [(struct_specifier !name body: (_)) (union_specifier !name body: (_)) (class_specifier !name body: (_))]
  declarator: (type_identifier) @name) @symbol.struct

(type_definition
  type: (enum_specifier !name body: (_))
  declarator: (type_identifier) @name) @symbol.enum

(type_definition
  type: [(struct_specifier body: (_)) (union_specifier body: (_)) (class_specifier body: (_)) (enum_specifier body: (_))]
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

(alias_declaration
  name: (type_identifier) @name
  type: (_) @detail) @symbol.class

; ---------------------------------------------------------------- members
; Constructors and destructors (no return type) declared or defined in a class.
(field_declaration_list
  [
    (function_definition !type declarator: (function_declarator declarator: (_) @name parameters: (parameter_list) @detail))
    (declaration !type declarator: (function_declarator declarator: (_) @name parameters: (parameter_list) @detail))
  ] @symbol.constructor)

; Methods: a function definition, field declaration or declaration with a
; return type (one wildcard pattern: the three share their fields).
(field_declaration_list
  (_
    type: (_) @detail.type
    declarator: [
      (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params)
      (pointer_declarator declarator: (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
      (reference_declarator (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
    ]) @symbol.method
  (#set! detail "{detail.type} {detail.params}"))

(field_declaration_list
  (template_declaration
    [
      (function_definition type: (_) @detail.type declarator: (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
      (declaration type: (_) @detail.type declarator: (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
    ]) @symbol.method
  (#set! detail "{detail.type} {detail.params}"))

(field_declaration_list
  (field_declaration
    type: (_) @detail
    declarator: [
      (field_identifier) @name
      (pointer_declarator declarator: (field_identifier) @name)
      (array_declarator declarator: (field_identifier) @name)
      (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (field_identifier) @name)))
    ]) @symbol.field)

; ---------------------------------------------------------------- functions
; Out-of-line member definitions: A::B::f, A::A (constructor), A::~A.
(function_definition
  !type
  declarator: (function_declarator
    declarator: (qualified_identifier) @name
    parameters: (parameter_list) @detail)) @symbol.constructor

(function_definition
  type: (_) @detail.type
  declarator: [
    (function_declarator declarator: (qualified_identifier) @name parameters: (parameter_list) @detail.params)
    (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier) @name parameters: (parameter_list) @detail.params))
    (reference_declarator (function_declarator declarator: (qualified_identifier) @name parameters: (parameter_list) @detail.params))
  ]
  (#set! detail "{detail.type} {detail.params}")) @symbol.method

(function_definition
  type: (_) @detail.type
  declarator: [
    (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params)
    (pointer_declarator declarator: (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
    (reference_declarator (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
  ]
  (#set! detail "{detail.type} {detail.params}")) @symbol.function

; Prototypes.
((declaration
  type: (_) @detail.type
  declarator: [
    (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params)
    (pointer_declarator declarator: (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
    (reference_declarator (function_declarator declarator: (_) @name parameters: (parameter_list) @detail.params))
  ]) @symbol.function
  (#set! detail "{detail.type} {detail.params}")
  (#is-not? local))

(preproc_function_def
  name: (identifier) @name
  parameters: (preproc_params) @detail) @symbol.function

(preproc_def
  name: (identifier) @name
  value: (_)? @detail) @symbol.constant

; ---------------------------------------------------------------- variables at namespace scope
((declaration
  type: (_) @detail
  declarator: [
    (identifier) @name
    (pointer_declarator declarator: (identifier) @name)
    (reference_declarator (identifier) @name)
    (array_declarator declarator: (identifier) @name)
    (init_declarator declarator: (identifier) @name)
    (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
  ]) @symbol.variable
  (#is-not? local))
