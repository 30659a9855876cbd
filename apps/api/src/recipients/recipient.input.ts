import { IsEmail, IsOptional, Length, Matches } from "class-validator";
import { Field, InputType } from "type-graphql";

export const E164 = /^\+[1-9]\d{6,14}$/;

@InputType({ description: "Creates the recipient or updates the fields given; a null field clears it." })
export class UpsertRecipientInput {
  @Field()
  @Length(1, 200)
  externalId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail({}, { message: "email must be a valid email address" })
  email?: string | null;

  @Field(() => String, { nullable: true, description: "E.164, e.g. +821012345678" })
  @IsOptional()
  @Matches(E164, { message: "phone must be an E.164 number such as +14155550100" })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: "BCP 47 tag, e.g. ko-KR" })
  @IsOptional()
  @Length(2, 35)
  locale?: string | null;

  @Field(() => String, { nullable: true, description: "IANA time zone, e.g. Asia/Seoul" })
  @IsOptional()
  @Length(1, 64)
  timezone?: string | null;
}
