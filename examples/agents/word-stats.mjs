#!/usr/bin/env node
// A process agent written with @commandcenter/agent-sdk. Its manifest (word-stats.yaml) sets
// `persistent: true`, so the hub keeps it warm: a step costs no process start.
import { defineAgent, fatal } from '@commandcenter/agent-sdk';

const words = (text) => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];

defineAgent({
  actions: {
    count: ({ text }, ctx) => {
      ctx.log(`counting a text of ${text.length} characters`);
      return { characters: text.length, words: words(text).length, lines: text.split('\n').length };
    },
    'top-words': ({ text, limit = 5 }) => {
      if (!Number.isInteger(limit) || limit < 1) throw fatal('limit must be a positive integer');
      const counts = new Map();
      for (const word of words(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
      const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return { words: top.slice(0, limit).map(([word, count]) => ({ word, count })) };
    },
  },
}).main();
