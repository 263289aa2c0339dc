import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RecordCosignatureDto {
  @IsString()
  @Length(1, 16_384)
  @ApiProperty({
    description: 'The signed checkpoint the witness cosigned, as GET /v1/log/checkpoint gave it',
  })
  checkpoint!: string;

  @IsString()
  @Length(1, 1_024)
  @ApiProperty({
    description: 'A C2SP tlog-cosignature/v1 line: `— <name> <base64(key ID ‖ time ‖ signature)>`',
    example: '— witness.kaz.example Vh3p/wAAAABnV9ck…',
  })
  cosignature!: string;
}

export class CosignatureResultDto {
  @ApiProperty({ type: 'integer' }) treeSize!: number;
  @ApiProperty({ format: 'byte' }) rootHash!: string;
  @ApiProperty({ example: 'KAZ' }) country!: string;
  @ApiProperty({ description: "The witness key's name" }) witness!: string;
  @ApiProperty({ type: 'integer', description: "The cosignature's time, Unix seconds" }) timestamp!: number;
}
