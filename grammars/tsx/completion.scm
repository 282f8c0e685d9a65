; Completion facts for TypeScript (server/src/features/completionIndex.ts).
; Capture convention: see grammars/python/completion.scm.
;   @scope.class           a class body: method and field names are members (offered after this.)

[(statement_block) (function_declaration) (generator_function_declaration) (function_expression)
 (arrow_function) (method_definition) (for_statement) (for_in_statement) (catch_clause)
 (function_signature) (method_signature) (type_alias_declaration) (interface_declaration)] @scope
(class_body) @scope.class

(function_declaration name: (identifier) @definition.function)
(function_signature name: (identifier) @definition.function)
(generator_function_declaration name: (identifier) @definition.function)
(function_expression name: (identifier) @definition.function)
(class_declaration name: (type_identifier) @definition.class)
(abstract_class_declaration name: (type_identifier) @definition.class)
(class name: (type_identifier) @definition.class)
(interface_declaration name: (type_identifier) @definition.interface)
(type_alias_declaration name: (type_identifier) @definition.type)
(enum_declaration name: (identifier) @definition.enum)
(internal_module name: (identifier) @definition.module)
(type_parameter name: (type_identifier) @definition.type_parameter)
(method_definition name: (property_identifier) @definition.method)
(public_field_definition name: (property_identifier) @definition.field)

(required_parameter pattern: (identifier) @definition.parameter)
(optional_parameter pattern: (identifier) @definition.parameter)
(required_parameter pattern: (rest_pattern (identifier) @definition.parameter))
(arrow_function parameter: (identifier) @definition.parameter)
(catch_clause parameter: (identifier) @definition.variable)
(object_pattern (shorthand_property_identifier_pattern) @definition.variable)
(object_pattern (pair_pattern value: (identifier) @definition.variable))
(array_pattern (identifier) @definition.variable)

(variable_declarator name: (identifier) @definition.variable)
(for_in_statement left: (identifier) @definition.variable)

(import_specifier alias: (identifier) @definition.module)
(import_specifier !alias name: (identifier) @definition.module)
(import_clause (identifier) @definition.module)
(namespace_import (identifier) @definition.module)
(import_alias (identifier) @definition.module)

(comment) @skip.comment
[(string) (template_string) (regex)] @skip.string
(template_substitution) @skip.hole
