; Completion facts for Java (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Methods, constructors, lambdas, blocks and the statements that declare in their header (for,
; enhanced for, catch, try-with-resources, switch groups) are scopes. Class, interface, enum and
; record bodies are @scope.class: fields and methods are members (offered after `this.`).

[(method_declaration) (constructor_declaration) (compact_constructor_declaration) (lambda_expression)
 (block) (for_statement) (enhanced_for_statement) (catch_clause) (try_with_resources_statement)
 (switch_block_statement_group) (switch_rule)] @scope
[(class_body) (interface_body) (enum_body) (annotation_type_body)] @scope.class

(method_declaration name: (identifier) @definition.method)
(class_declaration name: (identifier) @definition.class)
(record_declaration name: (identifier) @definition.class)
(interface_declaration name: (identifier) @definition.interface)
(annotation_type_declaration name: (identifier) @definition.interface)
(enum_declaration name: (identifier) @definition.enum)
(enum_constant name: (identifier) @definition.constant)
(type_parameter (type_identifier) @definition.type_parameter)
(field_declaration declarator: (variable_declarator name: (identifier) @definition.field))
(constant_declaration declarator: (variable_declarator name: (identifier) @definition.constant))

(formal_parameter name: (identifier) @definition.parameter)
(spread_parameter (variable_declarator name: (identifier) @definition.parameter))
(lambda_expression parameters: (identifier) @definition.parameter)
(inferred_parameters (identifier) @definition.parameter)
(catch_formal_parameter name: (identifier) @definition.variable)

(local_variable_declaration declarator: (variable_declarator name: (identifier) @definition.variable))
(enhanced_for_statement name: (identifier) @definition.variable)
(resource name: (identifier) @definition.variable)
(type_pattern (identifier) @definition.variable)
(record_pattern_component (identifier) @definition.variable)

(import_declaration (scoped_identifier name: (identifier) @definition.module))

[(line_comment) (block_comment)] @skip.comment
[(string_literal) (character_literal)] @skip.string
