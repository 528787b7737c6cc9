/**
 * Manifest of the built-in `patcher` agent: `apply` commits a change (a unified diff or a list of
 * file operations) on a new git branch, pushes it and opens a pull request where a forge token is
 * given; `preview` checks the same input and reports the change without writing anything.
 */

/** One file operation of `changes`. */
export interface FileChange {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  action: 'write' | 'delete' | 'rename';
  /** `write`: the whole new content of the file. */
  content?: string;
  /** `write`: how `content` is encoded; default `utf8` (`base64` for binary files). */
  encoding?: 'utf8' | 'base64';
  /** `rename`: the new path, relative to the repository root. */
  to?: string;
}

/** Where pull requests are opened, and the token that pushes and opens them. */
export interface ForgeSettings {
  type: 'github' | 'gitea' | 'gitlab';
  /**
   * API base URL: `https://api.github.com` (default for github), `https://gitea.example/api/v1`,
   * `https://gitlab.com/api/v4` (default for gitlab). Required for gitea.
   */
  apiUrl?: string;
  /** `owner/name` (GitHub, Gitea) or the project path or numeric id (GitLab). */
  repo: string;
  /** Pass `{{ secrets.FORGE_TOKEN }}`; never logged or stored. */
  token: string;
}

/** Input of `apply` and `preview`. */
export interface PatchInput {
  /**
   * A directory inside the workspace roots (absolute, or relative to the first root) holding a
   * git repository, or a URL to clone: `https://…`, `http://…`, or `file://` / a bare repository
   * path inside the workspace roots.
   */
  repository: string;
  /** Branch the change starts from; default the repository's current (or default) branch. */
  baseBranch?: string;
  /** Branch to create; default `cc/<run id prefix>-<step key>`. */
  branch?: string;
  /** Commit on top of `branch` when it already exists instead of refusing (default false). */
  reuseBranch?: boolean;
  /** A unified diff (`git diff` output or plain `diff -u`); exactly one of `diff` and `changes`. */
  diff?: string;
  changes?: FileChange[];
  /** Commit message. */
  message: string;
  /** Default `CommandCenter <commandcenter@localhost>`. */
  author?: { name: string; email: string };
  /** Remote of a local repository to push to; default `origin`. */
  remote?: string;
  /**
   * Push the branch. Default: true for a cloned URL (the clone is temporary), and for a local
   * repository when it has the remote and a forge token is given.
   */
  push?: boolean;
  /** Open a pull (merge) request after pushing; needs `forge`. */
  pullRequest?: { title: string; body?: string; draft?: boolean };
  forge?: ForgeSettings;
}

/** One changed file of the commit. */
export interface FileChanged {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** `renamed`: the path before. */
  previousPath?: string;
  additions: number;
  deletions: number;
}

/** Output of `apply`. */
export interface ApplyOutput {
  branch: string;
  baseBranch: string;
  /** SHA of the commit on `branch`. */
  commit: string;
  filesChanged: FileChanged[];
  pushed: boolean;
  pullRequest?: { url: string; number: number };
  /** True when an earlier attempt of this step had already made the commit (see README). */
  resumed: boolean;
}

/** Output of `preview`. */
export interface PreviewOutput {
  branch: string;
  baseBranch: string;
  /** SHA the change would be committed on top of. */
  baseCommit: string;
  /** Whether `branch` exists already (apply then needs `reuseBranch`, or resumes its own commit). */
  branchExists: boolean;
  filesChanged: FileChanged[];
  /** The change as `git diff` shows it (cut at `maxPreviewDiffBytes`). */
  diff: string;
  diffTruncated: boolean;
}

const stringMin1 = { type: 'string', minLength: 1 } as const;

const fileChangeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'action'],
  properties: {
    path: { ...stringMin1, description: 'Path relative to the repository root.' },
    action: { enum: ['write', 'delete', 'rename'] },
    content: { type: 'string', description: 'write: the whole new content.' },
    encoding: { enum: ['utf8', 'base64'], default: 'utf8' },
    to: { ...stringMin1, description: 'rename: the new path.' },
  },
} as const;

const inputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['repository', 'message'],
  properties: {
    repository: {
      ...stringMin1,
      description: 'Local repository path inside the workspace roots, or a URL to clone.',
    },
    baseBranch: stringMin1,
    branch: stringMin1,
    reuseBranch: { type: 'boolean', default: false },
    diff: { ...stringMin1, description: 'Unified diff; exactly one of diff and changes.' },
    changes: { type: 'array', minItems: 1, maxItems: 10000, items: fileChangeSchema },
    message: { ...stringMin1, description: 'Commit message.' },
    author: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'email'],
      properties: {
        name: { type: 'string', minLength: 1, pattern: '^[^<>\\n]+$' },
        email: { type: 'string', minLength: 3, pattern: '^[^<>\\s]+@[^<>\\s]+$' },
      },
    },
    remote: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    push: { type: 'boolean' },
    pullRequest: {
      type: 'object',
      additionalProperties: false,
      required: ['title'],
      properties: {
        title: stringMin1,
        body: { type: 'string' },
        draft: { type: 'boolean', default: false },
      },
    },
    forge: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'repo', 'token'],
      properties: {
        type: { enum: ['github', 'gitea', 'gitlab'] },
        apiUrl: { type: 'string', pattern: '^https?://' },
        repo: stringMin1,
        token: { ...stringMin1, description: 'Pass {{ secrets.FORGE_TOKEN }}.' },
      },
    },
  },
  oneOf: [{ required: ['diff'] }, { required: ['changes'] }],
} as const;

/** `createFixPR`: the same input, with the forge required (the pull request is the point). */
const createFixPRInputSchema = {
  ...inputSchema,
  required: [...inputSchema.required, 'forge'],
} as const;

const filesChangedSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'status', 'additions', 'deletions'],
    properties: {
      path: { type: 'string' },
      status: { enum: ['added', 'modified', 'deleted', 'renamed'] },
      previousPath: { type: 'string' },
      additions: { type: 'integer', minimum: 0 },
      deletions: { type: 'integer', minimum: 0 },
    },
  },
} as const;

const applyOutputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['branch', 'baseBranch', 'commit', 'filesChanged', 'pushed', 'resumed'],
  properties: {
    branch: { type: 'string' },
    baseBranch: { type: 'string' },
    commit: { type: 'string', pattern: '^[0-9a-f]{40,64}$' },
    filesChanged: filesChangedSchema,
    pushed: { type: 'boolean' },
    pullRequest: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'number'],
      properties: { url: { type: 'string' }, number: { type: 'integer', minimum: 1 } },
    },
    resumed: { type: 'boolean' },
  },
} as const;

const previewOutputSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'branch',
    'baseBranch',
    'baseCommit',
    'branchExists',
    'filesChanged',
    'diff',
    'diffTruncated',
  ],
  properties: {
    branch: { type: 'string' },
    baseBranch: { type: 'string' },
    baseCommit: { type: 'string', pattern: '^[0-9a-f]{40,64}$' },
    branchExists: { type: 'boolean' },
    filesChanged: filesChangedSchema,
    diff: { type: 'string' },
    diffTruncated: { type: 'boolean' },
  },
} as const;

/** The manifest document (passes `validateAgentManifest`). */
export const manifest = {
  name: 'patcher',
  version: '1.0.0',
  type: 'builtin',
  description:
    'Applies a change (unified diff or file operations) to a git repository on a new branch, ' +
    'commits it, pushes it and opens a pull request where a forge token is given.',
  risk: 'high',
  actions: {
    apply: {
      description:
        'Commit the change on a new branch (in a temporary worktree or clone; the checkout is ' +
        'not touched), push it and open a pull request.',
      input: inputSchema,
      output: applyOutputSchema,
    },
    createFixPR: {
      description:
        'apply, then always push and open a pull request (its title defaults to the first line ' +
        'of the commit message); needs forge.',
      input: createFixPRInputSchema,
      output: applyOutputSchema,
    },
    preview: {
      description:
        'Check the same input as apply and report the files and the diff it would commit, ' +
        'without creating a branch, committing or pushing.',
      input: inputSchema,
      output: previewOutputSchema,
      risk: 'low',
    },
  },
} as const;
