import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '@fleetgate/platform';
import { Authenticated, CurrentPrincipal, Public } from './authenticated.decorator';
import { LoginRequestDto, PrincipalDto, RefreshRequestDto, TokenPairDto } from './dto/auth.dto';
import type { Principal } from './principal';
import { SessionService } from './sessions/session.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  /** Signs in with e-mail and password; returns an access token and a refresh token. */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiErrorResponses(400, 401, 429)
  login(@Body() body: LoginRequestDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.sessions.login(body.email, body.password, {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
  }

  /** Trades a refresh token for a new pair; the old refresh token stops working. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiErrorResponses(400, 401)
  refresh(@Body() body: RefreshRequestDto): Promise<TokenPairDto> {
    return this.sessions.refresh(body.refreshToken);
  }

  /** Ends the current session: its refresh token and every access token issued from it stop working. */
  @Authenticated()
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    if (principal.sessionId) await this.sessions.logout(principal.sessionId);
  }

  /** Who the caller is and what it may do. */
  @Authenticated()
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): PrincipalDto {
    return {
      kind: principal.kind,
      userId: principal.userId,
      email: principal.email,
      superAdmin: principal.superAdmin,
      permissions: [...principal.permissions],
    };
  }
}
