// Test-only: SD-JWT VC interoperability with the OpenWallet Foundation's TypeScript
// implementation (@sd-jwt/sd-jwt-vc). tests/sdjwt/test_interop_js.py drives it; it never
// touches the network and keeps no state.
//
//   node sdjwt.mjs verify --issuer-jwk JSON --aud AUD --nonce NONCE --now SECONDS [--typ TYP]
//       The SD-JWT VC + KB-JWT is read from stdin. Prints {"header", "claims", "kb"} as JSON.
//
//   node sdjwt.mjs issue-present
//       Reads one JSON object from stdin: issuer_key and holder_key (unencrypted PKCS#8 DER,
//       base64), claims, disclosure_frame, presentation_frame, aud, nonce, iat. Issues the
//       SD-JWT VC, presents it with a KB-JWT and prints {"credential", "presentation"}.
//
// Signatures go through node:crypto (ES256 with P-256 keys, EdDSA with Ed25519 keys); the
// hash function and salts are @sd-jwt/crypto-nodejs's. On any failure the message goes to
// stderr and the exit status is 1.
//
// What the library leaves to its caller, and this script therefore checks itself after
// SDJwtVcInstance.verify (as of 0.19.0):
// - the Issuer-signed JWT's typ (verify never looks at it);
// - the KB-JWT's aud (verifyKB checks only that aud is present, and the nonce's value);
// - the KB-JWT's iat against now (verifyKB checks only that iat is present);
// - that the KB-JWT is signed by the key in cnf.jwk (the library hands the processed
//   payload to our kbVerifier and trusts its answer).

import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { parseArgs } from 'node:util';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';

const KB_MAX_AGE_SECONDS = 300;
const KB_FUTURE_SKEW_SECONDS = 60;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

// The JWS algorithm a key object signs with; anything else is refused.
function algorithmOf(key) {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}

function signerFor(privateKey) {
  const alg = algorithmOf(privateKey);
  const signer = (data) =>
    alg === 'ES256'
      ? b64url(sign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' }))
      : b64url(sign(null, Buffer.from(data), privateKey));
  return { alg, signer };
}

// A verifier bound to one public JWK and the one algorithm its type allows (never the
// token's alg header), as the library's Verifier type receives only data and signature.
function verifierFor(jwk) {
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  const alg = algorithmOf(publicKey);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new Error('the JWK is bound to another alg');
  const check = (data, signature) => {
    const raw = Buffer.from(signature, 'base64url');
    return alg === 'ES256'
      ? verify('sha256', Buffer.from(data), { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)
      : verify(null, Buffer.from(data), publicKey, raw);
  };
  return { alg, check };
}

function requireInteger(value, name) {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`${name} must be an integer`);
  return number;
}

async function verifyCommand(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'issuer-jwk': { type: 'string' },
      aud: { type: 'string' },
      nonce: { type: 'string' },
      now: { type: 'string' },
      typ: { type: 'string', default: 'dc+sd-jwt' },
    },
    strict: true,
  });
  for (const name of ['issuer-jwk', 'aud', 'nonce', 'now']) {
    if (values[name] === undefined) throw new Error(`--${name} is required`);
  }
  const now = requireInteger(values.now, '--now');
  const issuer = verifierFor(JSON.parse(values['issuer-jwk']));
  const presentation = (await readStdin()).trim();

  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    verifier: issuer.check,
    kbVerifier: (data, signature, payload) => {
      const jwk = payload?.cnf?.jwk;
      if (typeof jwk !== 'object' || jwk === null) throw new Error('no cnf.jwk to bind to');
      return verifierFor(jwk).check(data, signature);
    },
    // Status lists are outside this test; the default fetcher would go to the network.
    statusListFetcher: async () => {
      throw new Error('status lists are not fetched here');
    },
  });
  const result = await sdjwt.verify(presentation, {
    currentDate: now,
    keyBindingNonce: values.nonce,
  });

  if (result.header?.typ !== values.typ) throw new Error(`typ is ${result.header?.typ}`);
  if (result.header?.alg !== issuer.alg) throw new Error(`alg is ${result.header?.alg}`);
  if (!result.kb) throw new Error('no Key Binding JWT was verified');
  const kb = result.kb;
  if (kb.payload.aud !== values.aud) throw new Error('the KB-JWT is for another audience');
  const holder = verifierFor(result.payload.cnf.jwk);
  if (kb.header.alg !== holder.alg) throw new Error(`the KB-JWT alg is ${kb.header.alg}`);
  const iat = kb.payload.iat;
  if (!Number.isFinite(iat) || iat > now + KB_FUTURE_SKEW_SECONDS) {
    throw new Error('the KB-JWT iat is missing or in the future');
  }
  if (now - iat > KB_MAX_AGE_SECONDS) throw new Error('the KB-JWT is too old');

  process.stdout.write(
    `${JSON.stringify({ header: result.header, claims: result.payload, kb: result.kb })}\n`,
  );
}

async function issuePresentCommand(argv) {
  if (argv.length) throw new Error('issue-present reads its input from stdin only');
  const request = JSON.parse(await readStdin());
  const loadKey = (b64) =>
    createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' });
  const issuer = signerFor(loadKey(request.issuer_key));
  const holder = signerFor(loadKey(request.holder_key));
  const iat = requireInteger(request.iat, 'iat');

  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    signer: issuer.signer,
    signAlg: issuer.alg,
    kbSigner: holder.signer,
    kbSignAlg: holder.alg,
  });
  const credential = await sdjwt.issue(request.claims, request.disclosure_frame);
  const presentation = await sdjwt.present(credential, request.presentation_frame, {
    kb: { payload: { iat, aud: request.aud, nonce: request.nonce } },
  });
  process.stdout.write(`${JSON.stringify({ credential, presentation })}\n`);
}

const commands = { verify: verifyCommand, 'issue-present': issuePresentCommand };
const [command, ...rest] = process.argv.slice(2);
try {
  if (!(command in commands)) throw new Error(`usage: sdjwt.mjs ${Object.keys(commands).join('|')}`);
  await commands[command](rest);
} catch (error) {
  process.stderr.write(`${error?.message ?? error}\n`);
  process.exitCode = 1;
}
