import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { Code } from '../../lib/pipeline/code';
import { CodeLocation } from '../../lib/compile/sagemaker/compile';
import { packageCode } from '../../lib/runtime/package-code';
import { packageCodeTarball, packageTrialTarball } from '../../lib/runtime/package-tarball';

/** Two Code objects with the same directory and excludes ship as one archive. */
function codeKey(code: Code): string {
  return `${code.directory}\0${code.exclude.join('\0')}`;
}

/**
 * The step code of a pipeline as S3 file assets: one reproducible zip per distinct Code
 * (`packageCode`, with the step launcher as `__main__.py`). Unchanged code gives the same
 * archive and the same asset hash, so nothing is uploaded again.
 */
export class CodeAssets extends Construct {
  private readonly assets = new Map<string, s3assets.Asset>();

  private readonly serving: s3assets.Asset[] = [];

  /** The inference code tarballs made so far (what a model's host must read). */
  public get servingAssets(): s3assets.Asset[] {
    return [...this.serving];
  }

  /** The asset of a Code's archive, made on first use. */
  public asset(code: Code): s3assets.Asset {
    const key = codeKey(code);
    let asset = this.assets.get(key);
    if (!asset) {
      asset = new s3assets.Asset(this, `Code${this.assets.size + 1}`, { path: stageArchive(packageCode(code)) });
      this.assets.set(key, asset);
    }
    return asset;
  }

  /**
   * The S3 URI of a Code as `sourcedir.tar.gz` (no launcher), the form SageMaker's framework
   * serving containers download from SAGEMAKER_SUBMIT_DIRECTORY; one asset per distinct Code.
   */
  public tarballUri(code: Code): string {
    const key = `tar\0${codeKey(code)}`;
    let asset = this.assets.get(key);
    if (!asset) {
      asset = new s3assets.Asset(this, `Serving${this.assets.size + 1}`, { path: stageArchive(packageCodeTarball(code), 'tar.gz') });
      this.assets.set(key, asset);
      this.serving.push(asset);
    }
    return asset.s3ObjectUrl;
  }

  /**
   * The asset of a Code as a tuning trial's tarball (code + launcher, packageTrialTarball), which
   * SageMaker's training toolkit downloads from sagemaker_submit_directory; one per distinct Code.
   */
  public trialAsset(code: Code): s3assets.Asset {
    const key = `trial\0${codeKey(code)}`;
    let asset = this.assets.get(key);
    if (!asset) {
      asset = new s3assets.Asset(this, `Trial${this.assets.size + 1}`, { path: stageArchive(packageTrialTarball(code), 'tar.gz') });
      this.assets.set(key, asset);
    }
    return asset;
  }

  public location(code: Code): CodeLocation {
    const asset = this.asset(code);
    const key = asset.s3ObjectKey;
    if (Token.isUnresolved(key)) {
      throw new Error(`${this.node.path}: the stack synthesizer gives asset object keys only at deploy time, but SageMaker needs the code archive's file name at synth time; use the DefaultStackSynthesizer (the default)`);
    }
    return { s3Uri: asset.s3ObjectUrl, fileName: key.slice(key.lastIndexOf('/') + 1) };
  }
}

/**
 * Writes an archive to a content-addressed file (assets are staged from files). The same bytes
 * always land at the same path, written atomically, so parallel synths cannot see half a file.
 */
function stageArchive(archive: Buffer, extension = 'zip'): string {
  const hash = crypto.createHash('sha256').update(archive).digest('hex');
  const dir = path.join(os.tmpdir(), 'cdk-mlops-code');
  const file = path.join(dir, `${hash}.${extension}`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(partial, archive);
    fs.renameSync(partial, file);
  }
  return file;
}
