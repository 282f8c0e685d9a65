; Document symbols (textDocument/documentSymbol) for TypeScript.
; grammars/tsx/symbols.scm is a byte-for-byte copy (a test keeps them equal).
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange); several = source text first..last
;   @name.<part>     piece of a name template   (#set! name "{name.callee}() callback")
;   @detail          signature or type; several = source text first..last
;   @local.scope     a function body: symbols marked (#is-not? local) inside it are dropped
; A declaration captured by several patterns takes the first pattern in this file.
; Nesting comes from range containment.
;
; Kinds follow typescript-language-server (tsserver's navigation tree), what
; VS Code users see: const -> constant, let/var -> variable, type alias ->
; variable, namespace -> module, enum member -> enum_member, accessors -> method.

; ---------------------------------------------------------------- scopes
(function_declaration body: (_) @local.scope)
(generator_function_declaration body: (_) @local.scope)
(function_expression body: (_) @local.scope)
(generator_function body: (_) @local.scope)
(arrow_function body: (_) @local.scope)
(method_definition body: (_) @local.scope)
(class_static_block body: (_) @local.scope)

; ---------------------------------------------------------------- functions
(function_declaration
  name: (identifier) @name
  parameters: (formal_parameters) @detail
  return_type: (_)? @detail) @symbol.function

(generator_function_declaration
  name: (identifier) @name
  parameters: (formal_parameters) @detail
  return_type: (_)? @detail) @symbol.function

; Overloads and `declare function`.
(function_signature
  name: (identifier) @name
  parameters: (formal_parameters) @detail
  return_type: (_)? @detail) @symbol.function

; export default function () {}
(export_statement
  "default" @name
  value: [(function_expression !name) (generator_function !name) (arrow_function)]) @symbol.function
(export_statement
  "default"
  value: [(function_expression name: (_) @name) (generator_function name: (_) @name)]) @symbol.function

; ---------------------------------------------------------------- classes
(class_declaration
  name: (_) @name
  (class_heritage)? @detail) @symbol.class

(abstract_class_declaration
  name: (_) @name
  (class_heritage)? @detail) @symbol.class

(export_statement
  "default" @name
  value: (class !name (class_heritage)? @detail)) @symbol.class
(export_statement
  "default"
  value: (class name: (_) @name (class_heritage)? @detail)) @symbol.class

(class_body
  (method_definition
    name: (property_identifier) @name
    parameters: (formal_parameters) @detail
    (#eq? @name "constructor")) @symbol.constructor)

(class_body
  (method_definition
    name: (_) @name
    parameters: (formal_parameters) @detail
    return_type: (_)? @detail) @symbol.method)

(class_body
  (abstract_method_signature
    name: (_) @name
    parameters: (formal_parameters) @detail
    return_type: (_)? @detail) @symbol.method)

; Overload signatures of methods.
(class_body
  (method_signature
    name: (_) @name
    parameters: (formal_parameters) @detail
    return_type: (_)? @detail) @symbol.method)

(class_body
  (public_field_definition
    name: (_) @name
    type: (type_annotation (_) @detail)?) @symbol.property)

(class_body
  (index_signature) @symbol.property
  (#set! name "[]"))

; ---------------------------------------------------------------- interfaces, types, enums
(interface_declaration
  name: (_) @name
  (extends_type_clause)? @detail) @symbol.interface

(interface_body
  (property_signature
    name: (_) @name
    type: (type_annotation (_) @detail)?) @symbol.property)

(interface_body
  (method_signature
    name: (_) @name
    parameters: (formal_parameters) @detail
    return_type: (_)? @detail) @symbol.method)

(interface_body
  (call_signature
    parameters: (formal_parameters) @detail
    return_type: (_)? @detail) @symbol.variable
  (#set! name "()"))

(interface_body
  (construct_signature
    parameters: (formal_parameters) @detail
    type: (_)? @detail) @symbol.variable
  (#set! name "new()"))

(interface_body
  (index_signature) @symbol.variable @detail
  (#set! name "[]"))

(type_alias_declaration
  name: (_) @name
  value: (_) @detail) @symbol.variable

(enum_declaration
  name: (_) @name) @symbol.enum

(enum_body
  name: (_) @name @symbol.enum_member)

(enum_body
  (enum_assignment
    name: (_) @name
    value: (_) @detail) @symbol.enum_member)

; ---------------------------------------------------------------- namespaces and modules
; namespace A.B.C {}
(internal_module
  name: (_) @name) @symbol.module

; declare module 'foo' {}
(module
  name: (_) @name) @symbol.module

; declare global {}
(ambient_declaration
  "global" @name
  (statement_block)) @symbol.module

; `global {}` inside `declare module "x" {}` (the grammar reads it as an
; expression statement followed by a block).
((statement_block
  (expression_statement (identifier) @name)
  .
  (statement_block) @symbol.module)
  (#eq? @name "global"))

; export = Foo
(export_statement
  "=" @name
  (#set! name "export=")) @symbol.constant

; ---------------------------------------------------------------- variables
; Outside function bodies only. A const holding a function is still a
; constant (as in tsserver); its signature is the detail.
(lexical_declaration
  "const"
  (variable_declarator
    name: (identifier) @name
    value: [
      (arrow_function parameters: (formal_parameters) @detail return_type: (_)? @detail)
      (arrow_function parameter: (identifier) @detail)
      (function_expression parameters: (formal_parameters) @detail return_type: (_)? @detail)
      (generator_function parameters: (formal_parameters) @detail return_type: (_)? @detail)
    ]) @symbol.constant
  (#is-not? local))

(lexical_declaration
  "const"
  (variable_declarator
    name: (identifier) @name
    type: (type_annotation (_) @detail)?) @symbol.constant
  (#is-not? local))

(lexical_declaration
  "const"
  (variable_declarator
    name: [
      (object_pattern [
        (shorthand_property_identifier_pattern) @name @symbol.constant
        (pair_pattern value: (identifier) @name @symbol.constant)
        (object_assignment_pattern left: (shorthand_property_identifier_pattern) @name @symbol.constant)
      ])
      (array_pattern (identifier) @name @symbol.constant)
    ])
  (#is-not? local))

((variable_declarator
  name: (identifier) @name
  type: (type_annotation (_) @detail)?) @symbol.variable
  (#is-not? local))

(variable_declarator
  name: [
    (object_pattern [
      (shorthand_property_identifier_pattern) @name @symbol.variable
      (pair_pattern value: (identifier) @name @symbol.variable)
      (object_assignment_pattern left: (shorthand_property_identifier_pattern) @name @symbol.variable)
    ])
    (array_pattern (identifier) @name @symbol.variable)
  ]
  (#is-not? local))

; Members of an object literal held by a variable, a default export or a
; call argument (one level). Function-valued members first: they are methods.
(variable_declarator
  name: (identifier)
  value: (object [
    (pair key: (_) @name value: [(arrow_function) (function_expression) (generator_function)]) @symbol.method
    (method_definition name: (_) @name) @symbol.method
  ])
  (#is-not? local))

(variable_declarator
  name: (identifier)
  value: (object [
    (pair key: (_) @name) @symbol.property
    (shorthand_property_identifier) @name @symbol.property
  ])
  (#is-not? local))

; Members of an object literal passed to a call outside function bodies, as
; tsserver lists them: defineConfig({ plugins, server }), new Vue({ data() {} }).
(arguments
  (object [
    (pair key: (_) @name value: [(arrow_function) (function_expression) (generator_function)]) @symbol.method
    (method_definition name: (_) @name) @symbol.method
  ])
  (#is-not? local))

(arguments
  (object [
    (pair key: (_) @name) @symbol.property
    (shorthand_property_identifier) @name @symbol.property
  ])
  (#is-not? local))

(export_statement
  "default" @name
  value: (object)) @symbol.constant

(export_statement
  value: (object [
    (pair key: (_) @name value: [(arrow_function) (function_expression) (generator_function)]) @symbol.method
    (method_definition name: (_) @name) @symbol.method
  ]))

(export_statement
  value: (object [
    (pair key: (_) @name) @symbol.property
    (shorthand_property_identifier) @name @symbol.property
  ]))

; CommonJS and expando assignments outside function bodies:
;   exports.foo = function () {}    module.exports.bar = 1    minimatch.filter = () => {}
; (tsc's `exports.a = exports.b = void 0` preamble declares nothing.)
(expression_statement
  (assignment_expression
    left: (member_expression
      object: [(identifier) (member_expression)]
      property: (property_identifier) @name)
    right: [
      (arrow_function parameters: (formal_parameters) @detail)
      (arrow_function parameter: (identifier) @detail)
      (function_expression parameters: (formal_parameters) @detail)
      (generator_function parameters: (formal_parameters) @detail)
    ])
  (#is-not? local)) @symbol.function

(expression_statement
  (assignment_expression
    left: (member_expression
      object: [(identifier) @_exports (member_expression object: (identifier) property: (property_identifier) @_exports)]
      property: (property_identifier) @name)
    right: (_) @_value)
  (#eq? @_exports "exports")
  (#not-match? @_value "^(void 0|exports\\.|module\\.exports\\.)")
  (#is-not? local)) @symbol.constant

; module.exports = function () {} / class {} / {...}
(expression_statement
  (assignment_expression
    left: (member_expression
      object: (identifier) @_module
      property: (property_identifier) @_exports) @name
    right: [(arrow_function) (function_expression) (class)])
  (#eq? @_module "module")
  (#eq? @_exports "exports")
  (#is-not? local)) @symbol.function

; module.exports = { a, b() {} }: the exported value, and an object's members.
(expression_statement
  (assignment_expression
    left: (member_expression
      object: (identifier) @_module
      property: (property_identifier) @_exports) @name
    right: (_))
  (#eq? @_module "module")
  (#eq? @_exports "exports")
  (#is-not? local)) @symbol.constant

((assignment_expression
  left: (member_expression
    object: (identifier) @_module
    property: (property_identifier) @_exports)
  right: (object [
    (pair key: (_) @name value: [(arrow_function) (function_expression) (generator_function)]) @symbol.method
    (method_definition name: (_) @name) @symbol.method
  ]))
  (#eq? @_module "module")
  (#eq? @_exports "exports")
  (#is-not? local))

((assignment_expression
  left: (member_expression
    object: (identifier) @_module
    property: (property_identifier) @_exports)
  right: (object [
    (pair key: (_) @name) @symbol.property
    (shorthand_property_identifier) @name @symbol.property
  ]))
  (#eq? @_module "module")
  (#eq? @_exports "exports")
  (#is-not? local))

; export default foo;  export default defineConfig({...})
(export_statement
  "default" @name
  value: (_)) @symbol.variable

; ---------------------------------------------------------------- callbacks
; describe('suite', () => {}) -> "describe('suite') callback", named as tsserver
; names them: the callee when it is a chain of identifiers (else its last
; property), then the string arguments.
((call_expression
  function: [(identifier) (member_expression)] @name.callee
  arguments: (arguments
    .
    [(string) (template_string)] @name.arg
    [(arrow_function) (function_expression !name)] @symbol.function))
  (#match? @name.callee "^[A-Za-z_$][A-Za-z0-9_$]*(\\s*[?]?[.]\\s*#?[A-Za-z0-9_$]+)*$")
  (#strip! @name.callee "\\s+|[?]")
  (#set! name "{name.callee}({name.arg}) callback"))

((call_expression
  function: [(identifier) (member_expression)] @name.callee
  arguments: (arguments
    [(arrow_function) (function_expression !name)] @symbol.function))
  (#match? @name.callee "^[A-Za-z_$][A-Za-z0-9_$]*(\\s*[?]?[.]\\s*#?[A-Za-z0-9_$]+)*$")
  (#strip! @name.callee "\\s+|[?]")
  (#set! name "{name.callee}() callback"))

(call_expression
  function: (member_expression property: (_) @name.callee)
  arguments: (arguments
    .
    [(string) (template_string)] @name.arg
    [(arrow_function) (function_expression !name)] @symbol.function)
  (#set! name "{name.callee}({name.arg}) callback"))

(call_expression
  function: (member_expression property: (_) @name.callee)
  arguments: (arguments
    [(arrow_function) (function_expression !name)] @symbol.function)
  (#set! name "{name.callee}() callback"))

; A named function expression passed along keeps its name.
(arguments
  (function_expression
    name: (identifier) @name
    parameters: (formal_parameters) @detail) @symbol.function)
