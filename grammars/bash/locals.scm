; Scopes and bindings (textDocument/documentHighlight) for Bash.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "global")   bound in the document's scope
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
; Shell variables are global unless declared `local` (or `declare`d) in a
; function; functions are global and share their name space with commands.

(function_definition) @local.scope

(declaration_command "local" (variable_assignment name: (variable_name) @local.definition.var))
(declaration_command "local" (variable_name) @local.definition.var)
(declaration_command "declare" (variable_assignment name: (variable_name) @local.definition.var))
(declaration_command "declare" (variable_name) @local.definition.var)
(declaration_command "typeset" (variable_assignment name: (variable_name) @local.definition.var))

((variable_assignment name: (variable_name) @local.definition.var)
  (#set! local.definition-scope "global"))
((for_statement variable: (variable_name) @local.definition.var)
  (#set! local.definition-scope "global"))
((function_definition name: (word) @local.definition.function)
  (#set! local.definition-scope "global"))

(command name: (command_name (word) @local.reference))
(variable_name) @local.reference
