; documentHighlight for JSON: no bindings; a key highlights every key with
; the same text (kind Text).
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.text.<category>   a name without binding semantics, matched by text (Text)

(pair key: (string (string_content) @local.text.key))
