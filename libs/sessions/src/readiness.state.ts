import { Injectable } from '@nestjs/common';

/** Whether this replica should receive new clients: false from the first moment of a drain. */
@Injectable()
export class ReadinessState {
  private draining = false;
  readonly startedAt = Date.now();

  get isDraining(): boolean {
    return this.draining;
  }

  startDraining(): void {
    this.draining = true;
  }
}
