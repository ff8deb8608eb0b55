/** The HTML editor's colours: CodeMirror's default highlighting puts some tokens under 4.5:1
 * contrast on its active-line background, so the console sets its own (all ≥ 7:1 on white). */

import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

const highlight = HighlightStyle.define([
  { tag: [tags.tagName, tags.angleBracket], color: "#1e3a8a" },
  { tag: tags.attributeName, color: "#6b21a8" },
  { tag: [tags.attributeValue, tags.string], color: "#14532d" },
  { tag: tags.comment, color: "#4b5563", fontStyle: "italic" },
  { tag: [tags.keyword, tags.processingInstruction, tags.documentMeta], color: "#7c2d12" },
  { tag: tags.invalid, color: "#991b1b" },
]);

export const editorHighlighting = syntaxHighlighting(highlight);
