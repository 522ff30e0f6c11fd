import { Body, Controller } from '@nestjs/common';
import { CustomerListRequest, type CustomerListData } from '@op/contracts';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, type OpContext } from '../access/op-context';
import { CustomerService } from './customer.service';

/** The tenant's customers, for pickers (docs/api.md). */
@Controller()
export class CustomersController {
  constructor(private readonly customers: CustomerService) {}

  @OpEndpoint('customerList')
  customerList(@CurrentContext() context: OpContext, @Body() body: CustomerListRequest): Promise<CustomerListData> {
    return this.customers.list(context, body);
  }
}
