import { useEffect, useRef, useState } from "react";

interface CodeEditorProps {
  /** The id of the visible <label>'s element, which names the editor. */
  labelId: string;
  value: string;
  onChange(value: string): void;
  describedBy?: string | undefined;
  invalid?: boolean;
  readOnly?: boolean;
}

/** HTML with syntax highlighting, by CodeMirror 6, loaded only when the template editor opens.
 * Until it has loaded (or if it fails to), a plain textarea edits the same text. Tab is left
 * to move focus out, so keyboard users are never trapped. */
export function CodeEditor({ labelId, value, onChange, describedBy, invalid, readOnly }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<{ state: { doc: { toString(): string; length: number } }; dispatch(spec: unknown): void; focus(): void; destroy(): void } | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const [ready, setReady] = useState(false);
  const initial = useRef(value);
  const fallback = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let disposed = false;
    Promise.all([import("codemirror"), import("@codemirror/lang-html"), import("./editorTheme")])
      .then(([{ EditorView, basicSetup }, { html }, { editorHighlighting }]) => {
        if (disposed || !host.current) return;
        // Someone already typing in the plain textarea keeps typing, at the same place, in the editor.
        const typing = document.activeElement === fallback.current ? fallback.current : null;
        const attributes: Record<string, string> = { "aria-labelledby": labelId, "aria-multiline": "true" };
        if (describedBy) attributes["aria-describedby"] = describedBy;
        if (invalid) attributes["aria-invalid"] = "true";
        view.current = new EditorView({
          parent: host.current,
          doc: initial.current,
          extensions: [
            basicSetup,
            html({ autoCloseTags: false }), // typed or pasted HTML stays exactly as written
            editorHighlighting,
            EditorView.lineWrapping,
            EditorView.contentAttributes.of(attributes),
            EditorView.editable.of(!readOnly),
            EditorView.updateListener.of((update) => {
              if (update.docChanged) onChangeRef.current(update.state.doc.toString());
            }),
          ],
        });
        if (typing) {
          const at = Math.min(typing.selectionEnd, initial.current.length);
          view.current.dispatch({ selection: { anchor: at } });
          view.current.focus();
        }
        setReady(true);
      })
      .catch(() => undefined); // the textarea stays: editing works, only without highlighting
    return () => {
      disposed = true;
      view.current?.destroy();
      view.current = null;
    };
    // Rebuilt only when its labelling changes; value changes are pushed in below.
  }, [labelId, describedBy, invalid, readOnly]);

  // A value set from outside (e.g. the saved template loaded) replaces the editor's text.
  useEffect(() => {
    initial.current = value;
    const current = view.current;
    if (current && current.state.doc.toString() !== value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: value } });
    }
  }, [value]);

  return (
    <div className="code-editor">
      <div ref={host} hidden={!ready} />
      {!ready && (
        <textarea
          ref={fallback}
          aria-labelledby={labelId}
          aria-describedby={describedBy}
          aria-invalid={invalid ? true : undefined}
          value={value}
          readOnly={readOnly}
          onChange={(event) => onChange(event.target.value)}
          spellCheck={false}
        />
      )}
    </div>
  );
}
