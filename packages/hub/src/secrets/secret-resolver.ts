/**
 * What the engine needs of the secret store: the decrypted values of the named secrets of a
 * project, for one step. Implemented by {@link SecretStore}.
 */
export interface SecretResolver {
  /**
   * Values of `names` in `project` (name → plaintext). Throws `CCError('CC_E_SECRET_MISSING')`
   * when one is not set and `CCError('CC_E_SECRET_KEY_MISMATCH')` when one cannot be decrypted
   * with this process's key.
   */
  resolve(project: string, names: string[]): Promise<Record<string, string>>;
}
