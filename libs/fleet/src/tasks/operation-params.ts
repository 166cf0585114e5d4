import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  validateSync,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { InvalidInputError } from '@fleetgate/domain';
import type { Operation, OperationParams, OperationType } from '@fleetgate/domain';
import { fieldProblemsOf } from '@fleetgate/platform';

/**
 * One class per operation type: POST /tasks checks `operation.params` against the class of its
 * `operation.type`, and refuses unknown fields, as everywhere in the API.
 */
class NoParams {}

class ShellParams {
  /** The shell command run on the device. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(4_000)
  command!: string;
}

class ScreenshotParams {
  @IsOptional()
  @IsIn([0, 1])
  rotation?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  definition?: number;
}

const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** Where the vendor fetches an app or file: a URL, or an artifact of the catalog (which gives its own). */
class ArtifactSourceParams {
  /** An app or file of the catalog (GET /artifacts) instead of a url. */
  @IsOptional()
  @IsUUID()
  artifactId?: string;

  @ValidateIf((params: { artifactId?: string }) => params.artifactId === undefined)
  @IsUrl(URL_OPTIONS)
  url!: string;

  @IsOptional()
  @Matches(/^[0-9a-f]{32}$/i, { message: 'must be 32 hexadecimal digits' })
  md5?: string;
}

class AppInstallParams extends ArtifactSourceParams {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  packageName?: string;
}

class PackageParams {
  @IsString()
  @IsNotEmpty()
  @Matches(/^[A-Za-z0-9_.]+$/, { message: 'must be an Android package name' })
  packageName!: string;
}

class FilePushParams extends ArtifactSourceParams {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  fileName?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  targetPath?: string;
}

class PropertiesParams {
  /** Name → value. */
  @IsObject()
  properties!: Record<string, string>;
}

class TimezoneParams {
  /** An IANA time zone. @example Asia/Shanghai */
  @IsString()
  @Matches(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { message: 'must be an IANA time zone such as Asia/Shanghai' })
  timeZone!: string;
}

class LanguageParams {
  /** @example en */
  @Matches(/^[a-z]{2,3}$/, { message: 'must be an ISO 639 language code' })
  language!: string;

  /** @example US */
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'must be an ISO 3166 country code' })
  country?: string;
}

class GpsParams {
  @IsLatitude()
  latitude!: number;

  @IsLongitude()
  longitude!: number;

  @IsOptional()
  @IsNumber()
  altitude?: number;
}

class ProxyParams {
  @IsBoolean()
  enabled!: boolean;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  host?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65_535)
  port?: number;

  @IsOptional()
  @IsString()
  username?: string;

  @IsOptional()
  @IsString()
  password?: string;
}

class AdbParams {
  @IsBoolean()
  enabled!: boolean;
}

class DatapointParams {
  /** Data point name → value (bool, number, enum string or hex string for binary). */
  @IsObject()
  attrs!: Record<string, boolean | number | string>;
}

class RawParams {
  @IsArray()
  @ArrayNotEmpty()
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(255, { each: true })
  raw!: number[];
}

class ScriptStartParams {
  /** The script: a TikMatrix script name, or a label for an EasyClick task. */
  @IsString()
  @IsNotEmpty()
  script!: string;

  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  usernames?: string[];

  /** The vendor's own task, where scripts run inside one (EasyClick). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  taskId?: string;
}

class ScriptStopParams {
  @IsString()
  @IsNotEmpty()
  taskId!: string;

  @IsOptional()
  @IsIn(['local', 'remote'])
  mode?: 'local' | 'remote';
}

class ScriptTaskParams {
  @IsString()
  @IsNotEmpty()
  taskId!: string;
}

class ScriptParam {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsIn(['text', 'single', 'multiple'])
  type!: string;

  @IsDefined()
  value!: unknown;

  /** The choices of a single or multiple choice. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  options?: string[];
}

class ScriptParamsAddParams {
  @IsString()
  @IsNotEmpty()
  taskId!: string;

  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => ScriptParam)
  params!: ScriptParam[];
}

class ScriptParamsRemoveParams {
  @IsString()
  @IsNotEmpty()
  taskId!: string;

  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  names!: string[];
}

const PARAMS_CLASS: { readonly [T in OperationType]: new () => object } = {
  'device.reboot': NoParams,
  'device.reset': NoParams,
  'shell.async': ShellParams,
  'shell.sync': ShellParams,
  screenshot: ScreenshotParams,
  'app.install': AppInstallParams,
  'app.uninstall': PackageParams,
  'app.start': PackageParams,
  'app.stop': PackageParams,
  'app.restart': PackageParams,
  'file.push': FilePushParams,
  'settings.properties': PropertiesParams,
  'settings.timezone': TimezoneParams,
  'settings.language': LanguageParams,
  'settings.sim': PropertiesParams,
  'settings.gps': GpsParams,
  'settings.proxy': ProxyParams,
  'settings.adb': AdbParams,
  'control.datapoints': DatapointParams,
  'control.raw': RawParams,
  'script.start': ScriptStartParams,
  'script.stop': ScriptStopParams,
  'script.devices.add': ScriptTaskParams,
  'script.devices.remove': ScriptTaskParams,
  'script.params.add': ScriptParamsAddParams,
  'script.params.remove': ScriptParamsRemoveParams,
};

/** Checks an operation's parameters against its type; a 400 names every field at fault. */
export function checkOperation(type: OperationType, params: Record<string, unknown>): Operation {
  const paramsClass = PARAMS_CLASS[type];
  if (paramsClass === NoParams) {
    // class-validator cannot check a class without properties; an operation without parameters takes none.
    const extra = Object.keys(params ?? {});
    if (extra.length === 0) return { type, params: {} } as Operation;
    throw new InvalidInputError(
      `Invalid parameters for ${type}`,
      extra.map((key) => ({ field: `operation.params.${key}`, problem: `is not a parameter of ${type}` })),
    );
  }
  const instance = plainToInstance(paramsClass, params ?? {});
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const details = fieldProblemsOf(errors, 'operation.params').map((detail) =>
      detail.problem.startsWith('property ') && detail.problem.endsWith(' should not exist')
        ? { field: detail.field, problem: `is not a parameter of ${type}` }
        : detail,
    );
    throw new InvalidInputError(`Invalid parameters for ${type}`, details);
  }
  return { type, params: { ...params } as OperationParams[typeof type] } as Operation;
}
