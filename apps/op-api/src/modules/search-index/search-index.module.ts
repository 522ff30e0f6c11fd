import { Module } from '@nestjs/common';
import { SearchIndexService } from './search-index.service';

/** The keyword index: told of every stored message, fed, rebuilt, and read by the search endpoints. */
@Module({ providers: [SearchIndexService], exports: [SearchIndexService] })
export class SearchIndexModule {}
