import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts client secrets at rest (AES-256-GCM) so that a database dump alone cannot sign
 * requests. Stored form: `v1:<iv b64>:<tag b64>:<ciphertext b64>`.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('the master key must be 32 bytes');
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  /** The plain secret; throws {@link UnsealError} when the value was sealed under another key or context. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new UnsealError('格式无法识别');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // OpenSSL's words ("unable to authenticate data") say nothing of which key is wrong.
      throw new UnsealError('与当前主密钥（OP_MASTER_KEY，或数据目录中的 master.key）不符：密钥不是加密时所用的，或数据已损坏');
    }
  }
}

/**
 * A sealed secret that does not open under this process's master key. Its message is for
 * operators (opctl prints it); the API answers its callers a plain 500 and logs it.
 */
export class UnsealError extends Error {
  constructor(reason: string) {
    super(`无法解密已保存的密钥：${reason}`);
    this.name = 'UnsealError';
  }
}
